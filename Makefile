# The two commands: `make run` and `make test`. Both set everything up first
# (Debian packages, a virtualenv, the project) and skip what is already done.

PYTHON ?= python3
VENV := .venv
STAMPS := .stamps
DEBS := snmp snmpd snmptrapd nftables fping iputils-ping iproute2 openssh-server wrk chromium \
        fonts-liberation fonts-noto-core prometheus prometheus-alertmanager \
        prometheus-snmp-exporter python3-venv \
        victoria-metrics influxdb postgresql

.PHONY: run test bench deps lint clean

run: deps
	$(VENV)/bin/noc run

test: deps
	VENV=$(VENV) scripts/run-tests.sh

bench: deps
	$(VENV)/bin/python bench/lab_cost.py --cycles 2
	$(VENV)/bin/python bench/snmp_poll.py
	$(VENV)/bin/python bench/metrics_render.py
	$(VENV)/bin/python bench/influx_write.py
	$(VENV)/bin/python bench/icmp_cycle.py
	$(VENV)/bin/python bench/pages_load.py
	$(VENV)/bin/python bench/time_to_page.py --runs 3

deps: $(STAMPS)/debs $(STAMPS)/venv $(STAMPS)/snmpsim $(STAMPS)/fakeswitches

$(STAMPS)/debs: Makefile scripts/ensure-debs.sh
	@mkdir -p $(STAMPS)
	scripts/ensure-debs.sh $(DEBS)
	@touch $@

$(STAMPS)/venv: pyproject.toml
	@mkdir -p $(STAMPS)
	@test -x $(VENV)/bin/python || { echo "creating virtualenv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "installing the project and its Python dependencies into $(VENV)"
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

# snmpsim (the integration tests' simulated devices) drops privileges to `nobody`
# when run as root: it gets its own venv from Debian's python3, readable by all.
$(STAMPS)/snmpsim: scripts/ensure-snmpsim.sh
	@mkdir -p $(STAMPS)
	scripts/ensure-snmpsim.sh .venv-snmpsim
	@touch $@

# fake-switches (a Cisco-like SSH switch for the SSH collector's tests) pins old
# dependencies: its own venv, installed without them (see the script).
$(STAMPS)/fakeswitches: scripts/ensure-fake-switches.sh
	@mkdir -p $(STAMPS)
	scripts/ensure-fake-switches.sh .venv-fakeswitches
	@touch $@

clean:
	rm -rf $(STAMPS) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
