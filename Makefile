# ntkscope: `make run` starts the explorer, `make test` runs the whole suite.
# Both install what is missing first (Debian packages; sudo when not root).

SWIFT        ?= swift
DEPS         := libncursesw5-dev libopenblas-dev liblapacke-dev
TEST_DEPS    := tmux librsvg2-bin
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN  := .build/release/ntkscope

.PHONY: setup setup-test build run test bench clean

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

setup-test: setup
	$(call install_missing,$(TEST_DEPS))

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

clean:
	rm -rf .build
