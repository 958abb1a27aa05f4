"""Vietnamese names for the lab city, modelled on Hồ Chí Minh City before 2021.

Pure data plus a few helpers: the departments (Sở/ngành), the 24 districts
(quận/huyện) with their wards (phường/xã/thị trấn), and deterministic contact
people. Everything is fictional where it concerns people: contact names are
generated, phone numbers are plausible-looking and e-mail addresses live at the
fictional ``tphcm.gov.vn.example`` domain.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import NamedTuple

CITY_VI = "Thành phố Hồ Chí Minh"
EMAIL_DOMAIN = "tphcm.gov.vn.example"


class Department(NamedTuple):
    """A city department (Sở/ngành); ``large`` ones run their own server."""

    code: str
    name_vi: str
    name_en: str
    large: bool


class District(NamedTuple):
    """A district (quận/huyện) with its wards' Vietnamese names."""

    code: str
    name_vi: str
    name_en: str
    latitude: float
    longitude: float
    rural: bool
    streets: tuple[str, ...]
    wards: tuple[str, ...]


class Ward(NamedTuple):
    """A ward (phường), commune (xã) or township (thị trấn)."""

    code: str
    name_vi: str
    name_en: str


class Contact(NamedTuple):
    """A fictional contact person of an agency."""

    name: str
    phone: str
    email: str


DEPARTMENTS: tuple[Department, ...] = (
    Department("SO-TTTT", "Sở Thông tin và Truyền thông",
               "Department of Information and Communications", True),
    Department("VP-UBND", "Văn phòng Ủy ban nhân dân Thành phố",
               "Office of the City People's Committee", True),
    Department("SO-NV", "Sở Nội vụ", "Department of Home Affairs", False),
    Department("SO-TC", "Sở Tài chính", "Department of Finance", True),
    Department("SO-KHDT", "Sở Kế hoạch và Đầu tư",
               "Department of Planning and Investment", True),
    Department("SO-TP", "Sở Tư pháp", "Department of Justice", True),
    Department("SO-YT", "Sở Y tế", "Department of Health", True),
    Department("SO-GDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training", True),
    Department("SO-XD", "Sở Xây dựng", "Department of Construction", True),
    Department("SO-GTVT", "Sở Giao thông vận tải", "Department of Transport", True),
    Department("SO-TNMT", "Sở Tài nguyên và Môi trường",
               "Department of Natural Resources and Environment", True),
    Department("SO-CT", "Sở Công Thương", "Department of Industry and Trade", False),
    Department("SO-LDTBXH", "Sở Lao động - Thương binh và Xã hội",
               "Department of Labour, Invalids and Social Affairs", True),
    Department("SO-VHTT", "Sở Văn hóa và Thể thao", "Department of Culture and Sports", False),
    Department("SO-DL", "Sở Du lịch", "Department of Tourism", False),
    Department("SO-KHCN", "Sở Khoa học và Công nghệ",
               "Department of Science and Technology", False),
    Department("SO-NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn",
               "Department of Agriculture and Rural Development", False),
    Department("SO-QHKT", "Sở Quy hoạch - Kiến trúc",
               "Department of Planning and Architecture", False),
    Department("SO-NGV", "Sở Ngoại vụ", "Department of Foreign Affairs", False),
    Department("TTTP", "Thanh tra Thành phố", "City Inspectorate", False),
    Department("BDT", "Ban Dân tộc", "Committee for Ethnic Minority Affairs", False),
    Department("HEPZA", "Ban Quản lý các Khu chế xuất và công nghiệp",
               "Export Processing and Industrial Zones Authority", False),
    Department("SHTP", "Ban Quản lý Khu Công nghệ cao",
               "Saigon Hi-Tech Park Management Board", False),
    Department("MAUR", "Ban Quản lý Đường sắt đô thị",
               "Management Authority for Urban Railways", False),
    Department("BQL-TT", "Ban Quản lý Khu đô thị mới Thủ Thiêm",
               "Thu Thiem New Urban Area Management Authority", False),
    Department("CATP", "Công an Thành phố", "City Police", True),
    Department("BCHQS", "Bộ Chỉ huy Quân sự Thành phố", "City Military Command", False),
    Department("CUC-THUE", "Cục Thuế Thành phố", "City Tax Department", True),
    Department("KBNN", "Kho bạc Nhà nước Thành phố", "City State Treasury", True),
    Department("BHXH", "Bảo hiểm xã hội Thành phố", "City Social Security", True),
    Department("CUC-HQ", "Cục Hải quan Thành phố", "City Customs Department", True),
    Department("CUC-TK", "Cục Thống kê Thành phố", "City Statistics Office", False),
    Department("VKSND", "Viện Kiểm sát nhân dân Thành phố", "City People's Procuracy", False),
    Department("TAND", "Tòa án nhân dân Thành phố", "City People's Court", False),
)


def ascii_fold(text: str) -> str:
    """``text`` without Vietnamese diacritics ("Đa Kao" -> "Da Kao")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _p(*names: str) -> tuple[str, ...]:
    """Named urban wards."""
    return tuple(f"Phường {name}" for name in names)


def _n(*numbers: int) -> tuple[str, ...]:
    """Numbered urban wards."""
    return tuple(f"Phường {number}" for number in numbers)


def _x(township: str, *communes: str) -> tuple[str, ...]:
    """A rural district's township followed by its communes."""
    return (f"Thị trấn {township}", *(f"Xã {name}" for name in communes))


def _q(number: int, lat: float, lon: float, streets: str, wards: tuple[str, ...]) -> District:
    """A numbered urban district (Quận N)."""
    return District(f"Q{number}", f"Quận {number}", f"District {number}", lat, lon, False,
                    tuple(streets.split(", ")), wards)


def _named(code: str, kind: str, name: str, lat: float, lon: float, streets: str,
           wards: tuple[str, ...]) -> District:
    """A named district: ``kind`` is "Quận" (urban) or "Huyện" (rural)."""
    name_en = f"{ascii_fold(name)} District"
    return District(code, f"{kind} {name}", name_en, lat, lon, kind == "Huyện",
                    tuple(streets.split(", ")), wards)


DISTRICTS: tuple[District, ...] = (
    _q(1, 10.7756, 106.7004, "Lê Duẩn, Nguyễn Huệ, Lý Tự Trọng, Pasteur", _p(
        "Bến Nghé", "Bến Thành", "Cầu Kho", "Cầu Ông Lãnh", "Cô Giang", "Đa Kao",
        "Nguyễn Cư Trinh", "Nguyễn Thái Bình", "Phạm Ngũ Lão", "Tân Định")),
    _q(2, 10.7872, 106.7498, "Trần Não, Lương Định Của, Nguyễn Duy Trinh", _p(
        "An Khánh", "An Lợi Đông", "An Phú", "Bình An", "Bình Khánh", "Bình Trưng Đông",
        "Bình Trưng Tây", "Cát Lái", "Thạnh Mỹ Lợi", "Thảo Điền", "Thủ Thiêm")),
    _q(3, 10.7830, 106.6870, "Nam Kỳ Khởi Nghĩa, Võ Văn Tần, Lê Văn Sỹ",
       _p("Võ Thị Sáu") + _n(1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14)),
    _q(4, 10.7579, 106.7013, "Khánh Hội, Hoàng Diệu, Tôn Đản",
       _n(1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15, 16, 18)),
    _q(5, 10.7540, 106.6634, "An Dương Vương, Trần Hưng Đạo, Nguyễn Trãi", _n(*range(1, 16))),
    _q(6, 10.7480, 106.6352, "Hậu Giang, Kinh Dương Vương, Bình Phú", _n(*range(1, 15))),
    _q(7, 10.7340, 106.7216, "Nguyễn Thị Thập, Huỳnh Tấn Phát, Nguyễn Văn Linh", _p(
        "Bình Thuận", "Phú Mỹ", "Phú Thuận", "Tân Hưng", "Tân Kiểng", "Tân Phong", "Tân Phú",
        "Tân Quy", "Tân Thuận Đông", "Tân Thuận Tây")),
    _q(8, 10.7240, 106.6286, "Phạm Thế Hiển, Tạ Quang Bửu, Dương Bá Trạc", _n(*range(1, 17))),
    _q(9, 10.8428, 106.8287, "Lê Văn Việt, Đỗ Xuân Hợp, Nguyễn Xiển", _p(
        "Hiệp Phú", "Long Bình", "Long Phước", "Long Thạnh Mỹ", "Long Trường", "Phú Hữu",
        "Phước Bình", "Phước Long A", "Phước Long B", "Tăng Nhơn Phú A", "Tăng Nhơn Phú B",
        "Tân Phú", "Trường Thạnh")),
    _q(10, 10.7746, 106.6670, "Ba Tháng Hai, Sư Vạn Hạnh, Tô Hiến Thành", _n(*range(1, 16))),
    _q(11, 10.7629, 106.6501, "Lạc Long Quân, Minh Phụng, Lãnh Binh Thăng", _n(*range(1, 17))),
    _q(12, 10.8672, 106.6413, "Lê Văn Khương, Hà Huy Giáp, Nguyễn Ảnh Thủ", _p(
        "An Phú Đông", "Đông Hưng Thuận", "Hiệp Thành", "Tân Chánh Hiệp", "Tân Hưng Thuận",
        "Tân Thới Hiệp", "Tân Thới Nhất", "Thạnh Lộc", "Thạnh Xuân", "Thới An",
        "Trung Mỹ Tây")),
    _named("BTHANH", "Quận", "Bình Thạnh", 10.8106, 106.7091,
           "Phan Đăng Lưu, Xô Viết Nghệ Tĩnh, Điện Biên Phủ",
           _n(1, 2, 3, 5, 6, 7, 11, 12, 13, 14, 15, 17, 19, 21, 22, 24, 25, 26, 27, 28)),
    _named("GVAP", "Quận", "Gò Vấp", 10.8387, 106.6653,
           "Quang Trung, Nguyễn Văn Nghi, Phan Văn Trị",
           _n(1, *range(3, 18))),
    _named("PNHUAN", "Quận", "Phú Nhuận", 10.7992, 106.6803,
           "Nguyễn Văn Trỗi, Phan Xích Long, Hoàng Văn Thụ",
           _n(1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17)),
    _named("TBINH", "Quận", "Tân Bình", 10.8016, 106.6526, "Cộng Hòa, Trường Chinh, Hoàng Văn Thụ",
           _n(*range(1, 16))),
    _named("TPHU", "Quận", "Tân Phú", 10.7900, 106.6282, "Tân Kỳ Tân Quý, Lũy Bán Bích, Âu Cơ", _p(
        "Hiệp Tân", "Hòa Thạnh", "Phú Thạnh", "Phú Thọ Hòa", "Phú Trung", "Sơn Kỳ", "Tân Quý",
        "Tân Sơn Nhì", "Tân Thành", "Tân Thới Hòa", "Tây Thạnh")),
    _named("BTAN", "Quận", "Bình Tân", 10.7653, 106.6039, "Tên Lửa, Kinh Dương Vương, Mã Lò", _p(
        "An Lạc", "An Lạc A", "Bình Hưng Hòa", "Bình Hưng Hòa A", "Bình Hưng Hòa B",
        "Bình Trị Đông", "Bình Trị Đông A", "Bình Trị Đông B", "Tân Tạo", "Tân Tạo A")),
    _named("TDUC", "Quận", "Thủ Đức", 10.8494, 106.7537,
           "Kha Vạn Cân, Võ Văn Ngân, Tô Ngọc Vân", _p(
        "Bình Chiểu", "Bình Thọ", "Hiệp Bình Chánh", "Hiệp Bình Phước", "Linh Chiểu",
        "Linh Đông", "Linh Tây", "Linh Trung", "Linh Xuân", "Tam Bình", "Tam Phú",
        "Trường Thọ")),
    _named("CUCHI", "Huyện", "Củ Chi", 10.9733, 106.4932, "Tỉnh lộ 8, Quốc lộ 22, Nguyễn Thị Rành",
           _x("Củ Chi", "An Nhơn Tây", "An Phú", "Bình Mỹ", "Hòa Phú", "Nhuận Đức",
              "Phạm Văn Cội", "Phú Hòa Đông", "Phú Mỹ Hưng", "Phước Hiệp", "Phước Thạnh",
              "Phước Vĩnh An", "Tân An Hội", "Tân Phú Trung", "Tân Thạnh Đông",
              "Tân Thạnh Tây", "Tân Thông Hội", "Thái Mỹ", "Trung An", "Trung Lập Hạ",
              "Trung Lập Thượng")),
    _named("HMON", "Huyện", "Hóc Môn", 10.8863, 106.5922,
           "Lý Thường Kiệt, Quốc lộ 22, Đặng Thúc Vịnh",
           _x("Hóc Môn", "Bà Điểm", "Đông Thạnh", "Nhị Bình", "Tân Hiệp", "Tân Thới Nhì",
              "Tân Xuân", "Thới Tam Thôn", "Trung Chánh", "Xuân Thới Đông", "Xuân Thới Sơn",
              "Xuân Thới Thượng")),
    _named("BCHANH", "Huyện", "Bình Chánh", 10.6876, 106.5938,
           "Nguyễn Hữu Trí, Quốc lộ 1A, Vĩnh Lộc",
           _x("Tân Túc", "An Phú Tây", "Bình Chánh", "Bình Hưng", "Bình Lợi", "Đa Phước",
              "Hưng Long", "Lê Minh Xuân", "Phạm Văn Hai", "Phong Phú", "Quy Đức", "Tân Kiên",
              "Tân Nhựt", "Tân Quý Tây", "Vĩnh Lộc A", "Vĩnh Lộc B")),
    _named("NBE", "Huyện", "Nhà Bè", 10.6952, 106.7046, "Nguyễn Bình, Huỳnh Tấn Phát, Lê Văn Lương",
           _x("Nhà Bè", "Hiệp Phước", "Long Thới", "Nhơn Đức", "Phú Xuân", "Phước Kiển",
              "Phước Lộc")),
    _named("CGIO", "Huyện", "Cần Giờ", 10.4114, 106.9547, "Lương Văn Nho, Rừng Sác, Duyên Hải",
           _x("Cần Thạnh", "An Thới Đông", "Bình Khánh", "Long Hòa", "Lý Nhơn",
              "Tam Thôn Hiệp", "Thạnh An")),
)

_PREFIXES = (("Thị trấn ", "Township"), ("Xã ", "Commune"), ("Phường ", "Ward"))


def _split_ward(name_vi: str) -> tuple[str, str]:
    """("Xã Phú Hòa Đông") -> ("Phú Hòa Đông", "Commune")."""
    for prefix, kind in _PREFIXES:
        if name_vi.startswith(prefix):
            return name_vi[len(prefix):], kind
    raise ValueError(f"not a ward name: {name_vi!r}")


def _ward_suffix(name_vi: str, expanded: bool) -> str:
    """The ward part of a ward code: "P05", "BN", "TT", or "TANPHONG" when ``expanded``."""
    bare, kind = _split_ward(name_vi)
    if kind == "Township":
        return "TT"
    if bare.isdigit():
        return f"P{int(bare):02d}"
    words = ascii_fold(bare).upper().split()
    if expanded:
        return "".join(words)
    return "".join(word[0] for word in words)


def _ward_name_en(name_vi: str, district: District) -> str:
    """"Ben Nghe Ward", "Ward 1, District 3", "Phu Hoa Dong Commune", "Cu Chi Township"."""
    bare, kind = _split_ward(name_vi)
    if bare.isdigit():
        return f"Ward {bare}, {district.name_en}"
    return f"{ascii_fold(bare)} {kind}"


def district_wards(district: District) -> tuple[Ward, ...]:
    """The wards of ``district`` with unique ASCII codes such as "Q1-BN" or "Q3-P01"."""
    short = [_ward_suffix(name, expanded=False) for name in district.wards]
    suffixes = [
        _ward_suffix(name, expanded=True) if short.count(code) > 1 else code
        for name, code in zip(district.wards, short, strict=True)
    ]
    if len(set(suffixes)) != len(suffixes):
        raise ValueError(f"ambiguous ward codes in {district.code}")
    return tuple(
        Ward(f"{district.code}-{suffix}", name, _ward_name_en(name, district))
        for name, suffix in zip(district.wards, suffixes, strict=True)
    )


_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
             "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
_MALE = (("Văn", "Hữu", "Minh", "Quốc", "Đức", "Thành", "Công"),
         ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phong",
          "Phúc", "Quân", "Tâm", "Trung", "Tuấn", "Sơn", "Thắng", "Vinh"))
_FEMALE = (("Thị", "Ngọc", "Thanh", "Thu", "Kim", "Bích", "Mỹ"),
           ("Anh", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga", "Thảo",
            "Thủy", "Trang", "Vy", "Yến", "Nhung", "Phương", "Hằng", "Loan"))


def _digest(key: str) -> bytes:
    """A stable digest of ``key`` (independent of PYTHONHASHSEED)."""
    return hashlib.sha256(f"metronet-lab:{key}".encode()).digest()


def contact_for(agency_code: str) -> Contact:
    """A deterministic, fictional contact person for the agency ``agency_code``."""
    d = _digest(f"contact:{agency_code}")
    middles, givens = _MALE if d[0] % 2 else _FEMALE
    surname = _SURNAMES[d[1] % len(_SURNAMES)]
    middle = middles[d[2] % len(middles)]
    given = givens[d[3] % len(givens)]
    name = f"{surname} {middle} {given}"
    phone = f"028 38{d[4] % 100:02d} {int.from_bytes(d[5:7], 'big') % 10000:04d}"
    local = ascii_fold(f"{surname[0]}{middle[0]}{given}").lower()
    email = f"{local}.{agency_code.lower()}@{EMAIL_DOMAIN}"
    return Contact(name, phone, email)
