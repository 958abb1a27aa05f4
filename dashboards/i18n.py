"""UI text in Vietnamese (default) and English.

Every string a page shows goes through :func:`translator`; a key missing
from one language is a test failure, not a blank on the wall screen.
"""

from __future__ import annotations

from collections.abc import Callable

from dashboards.i18n_alerts import TEXT_ALERTS
from dashboards.i18n_auth import TEXT_AUTH
from dashboards.i18n_inventory import TEXT_INVENTORY
from dashboards.i18n_ops import TEXT_OPS

LANGS = ("vi", "en")

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"vi": "Trung tâm điều hành mạng Metronet", "en": "Metronet Network Operations"},
    "overview": {"vi": "Tổng quan", "en": "Overview"},
    "connected": {"vi": "Đang kết nối", "en": "Connected"},
    "kind_department": {"vi": "Sở, ngành", "en": "Departments"},
    "kind_district": {"vi": "Quận, huyện", "en": "Districts"},
    "kind_ward": {"vi": "Phường, xã", "en": "Wards"},
    "kind_short_department": {"vi": "Sở", "en": "Dept"},
    "kind_short_district": {"vi": "Quận", "en": "District"},
    "kind_short_ward": {"vi": "Phường", "en": "Ward"},
    "problems": {"vi": "Đơn vị mất kết nối / suy giảm", "en": "Agencies down / degraded"},
    "no_problems": {"vi": "Tất cả đơn vị đang kết nối", "en": "All agencies connected"},
    "busiest_links": {"vi": "Đường truyền tải cao nhất", "en": "Busiest links"},
    "events": {"vi": "Sự kiện gần đây", "en": "Recent events"},
    "no_events": {"vi": "Chưa có sự kiện", "en": "No events yet"},
    "agency": {"vi": "Đơn vị", "en": "Agency"},
    "status": {"vi": "Trạng thái", "en": "Status"},
    "since": {"vi": "Từ lúc", "en": "Since"},
    "reason": {"vi": "Nguyên nhân", "en": "Reason"},
    "link": {"vi": "Đường truyền", "en": "Link"},
    "network": {"vi": "Mạng", "en": "Network"},
    "inbound": {"vi": "Vào", "en": "In"},
    "outbound": {"vi": "Ra", "en": "Out"},
    "utilization": {"vi": "Tải", "en": "Utilization"},
    "status_up": {"vi": "Hoạt động", "en": "Up"},
    "status_down": {"vi": "Mất kết nối", "en": "Down"},
    "status_degraded": {"vi": "Suy giảm", "en": "Degraded"},
    "status_unknown": {"vi": "Chưa rõ", "en": "Unknown"},
    "devices": {"vi": "Thiết bị", "en": "Devices"},
    "devices_up": {"vi": "thiết bị hoạt động", "en": "devices up"},
    "poller": {"vi": "Bộ thu thập", "en": "Poller"},
    "poll_interval": {"vi": "Chu kỳ", "en": "Interval"},
    "poll_lag": {"vi": "Độ trễ", "en": "Lag"},
    "updated": {"vi": "Cập nhật", "en": "Updated"},
    "upstream": {"vi": "do tuyến trên", "en": "upstream"},
    "lab_mode": {"vi": "Chế độ mô phỏng (lab)", "en": "Lab mode (simulated city)"},
    "language": {"vi": "English", "en": "Tiếng Việt"},
    "live": {"vi": "Trực tuyến", "en": "Live"},
    "connection_lost": {"vi": "Mất kết nối tới máy chủ – đang thử lại",
                        "en": "Connection lost – retrying"},
    "ago": {"vi": "trước", "en": "ago"},
    "kind": {"vi": "Loại", "en": "Kind"},
    "time": {"vi": "Thời gian", "en": "Time"},
    "device": {"vi": "Thiết bị", "en": "Device"},
    "event": {"vi": "Sự kiện", "en": "Event"},
    "detail": {"vi": "Chi tiết", "en": "Detail"},
    "not_connected": {"vi": "mất kết nối", "en": "down"},
    "all_connected": {"vi": "Tất cả đang kết nối", "en": "All connected"},
    "affected_agencies": {"vi": "đơn vị bị ảnh hưởng", "en": "agencies affected"},
    "link_down": {"vi": "Đứt", "en": "Down"},
    "event_device_down": {"vi": "Mất kết nối", "en": "Device down"},
    "event_device_up": {"vi": "Kết nối lại", "en": "Device up"},
    "event_interface_down": {"vi": "Cổng ngắt", "en": "Interface down"},
    "event_interface_up": {"vi": "Cổng hoạt động", "en": "Interface up"},
    "event_icmp_down": {"vi": "Không phản hồi ping", "en": "No ping reply"},
    "event_icmp_up": {"vi": "Phản hồi ping trở lại", "en": "Ping replies again"},
    "event_config_changed": {"vi": "Cấu hình thay đổi", "en": "Configuration changed"},
    "nav_overview": {"vi": "Tổng quan", "en": "Overview"},
    "nav_agencies": {"vi": "Đơn vị", "en": "Agencies"},
    "nav_devices": {"vi": "Thiết bị", "en": "Devices"},
    "nav_links": {"vi": "Đường truyền", "en": "Links"},
    "nav_alerts": {"vi": "Cảnh báo", "en": "Alerts"},
    "nav_inventory": {"vi": "Kiểm kê tài sản", "en": "Inventory"},
    "nav_main": {"vi": "Điều hướng chính", "en": "Main navigation"},
}


for _part in (TEXT_OPS, TEXT_INVENTORY, TEXT_AUTH, TEXT_ALERTS):
    _dupes = TEXT.keys() & _part.keys()
    if _dupes:
        raise RuntimeError(f"UI text keys defined twice: {sorted(_dupes)}")
    TEXT.update(_part)


def translator(lang: str) -> Callable[[str], str]:
    """A function giving the text of a key in ``lang`` (falls back to the key itself)."""
    lang = lang if lang in LANGS else LANGS[0]

    def t(key: str) -> str:
        entry = TEXT.get(key)
        return entry[lang] if entry else key

    return t
