# ntkscope: `make run` starts the explorer, `make test` runs the whole suite.
# Both install what is missing first (Debian packages; sudo when not root).

SWIFT        ?= swift
DEPS         := libncursesw5-dev libopenblas-dev liblapacke-dev
TEST_DEPS    := tmux librsvg2-bin
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN  := .build/release/ntkscope
# Test oracle: neural-tangents in its own virtual environment (skipped by the tests when absent)
ORACLE_VENV  := .build-oracles/venv
ORACLE_PINS  := jax==0.4.26 jaxlib==0.4.26 tf2jax==0.3.6 neural-tangents==0.6.5

.PHONY: setup setup-test setup-oracles build run test bench bench-training clean

define install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi
endef

setup:
	$(call install_missing,$(DEPS))

setup-test: setup setup-oracles
	$(call install_missing,$(TEST_DEPS))

# Installs neural-tangents for the kernel tests if it can (PyPI reachable); never fails the build.
setup-oracles:
	@if ! $(ORACLE_VENV)/bin/python -c "import neural_tangents" >/dev/null 2>&1; then \
	  echo "Installing the neural-tangents test oracle into $(ORACLE_VENV)"; \
	  (python3 -m venv $(ORACLE_VENV) && $(ORACLE_VENV)/bin/pip install -q $(ORACLE_PINS)) >/dev/null 2>&1 \
	    || echo "neural-tangents could not be installed: its tests will be skipped"; \
	fi

build: setup
	$(SWIFT) build -c release --product ntkscope

run: build
	$(RELEASE_BIN) $(ARGS)

test: setup-test
	$(SWIFT) build -c release --product ntkscope
	NTKSCOPE_BIN=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test

# The engine and quadratic-law figures are taken on one core (taskset), the sampling figures with every core.
bench: setup
	$(SWIFT) build -c release --product ntkscope-bench
	@echo "machine: $$(nproc) cores, $$(lscpu | sed -n 's/^Model name: *//p'), $$(free -g | awk '/Mem:/{print $$2}') GiB"
	taskset -c 0 .build/release/ntkscope-bench engine $(ARGS)
	taskset -c 0 .build/release/ntkscope-bench quadratic $(ARGS)
	.build/release/ntkscope-bench explorer $(ARGS)
	.build/release/ntkscope-bench sampling $(ARGS)

# Training: the default run and the paper's Figure 3 setting (300 epochs, several minutes;
# NTKSCOPE_BENCH_EPOCHS=30 for a quick look, NTKSCOPE_BENCH_SEEDS=K for the seed spread).
bench-training: setup
	$(SWIFT) build -c release --product ntkscope-bench
	@echo "machine: $$(nproc) cores, $$(lscpu | sed -n 's/^Model name: *//p'), $$(free -g | awk '/Mem:/{print $$2}') GiB"
	.build/release/ntkscope-bench training

clean:
	rm -rf .build
