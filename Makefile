# ntkscope: `make run` starts the explorer, `make test` runs the whole suite.
# Both install what is missing first (Debian packages; sudo when not root).

SWIFT        ?= swift
DEPS         := libncursesw5-dev libopenblas-dev liblapacke-dev
TEST_DEPS    := tmux librsvg2-bin
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN  := .build/release/ntkscope

TEST_DATA    := .build/test-data
PREFIX       ?= /usr/local

.PHONY: setup setup-test test-data build run test bench install clean

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

# A real data set for the --data tests: the 8×8 digits table inside scikit-learn's wheel (fetched
# from PyPI, not committed; 1797 samples × 64 pixels, the label column dropped). Without network
# the tests use their synthetic fallback and say so.
test-data:
	@if [ ! -f $(TEST_DATA)/digits.csv ]; then \
	  mkdir -p $(TEST_DATA)/wheel && \
	  ( pip download scikit-learn --no-deps --only-binary=:all: -q -d $(TEST_DATA)/wheel && \
	    python3 -c "import zipfile, glob, gzip; \
	z = zipfile.ZipFile(sorted(glob.glob('$(TEST_DATA)/wheel/scikit_learn-*.whl'))[-1]); \
	rows = gzip.decompress(z.read('sklearn/datasets/data/digits.csv.gz')).decode().split(); \
	open('$(TEST_DATA)/digits.csv', 'w').write('\\n'.join(','.join(r.split(',')[:64]) for r in rows) + '\\n')" \
	  ) || echo "digits data set not fetched: the data tests use their synthetic fallback"; \
	fi

test: setup-test test-data
	$(SWIFT) build -c release --product ntkscope
	NTKSCOPE_BIN=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test

# The engine figures are taken on one core (taskset), the sampling figures with every core.
bench: setup
	$(SWIFT) build -c release --product ntkscope-bench
	@echo "machine: $$(nproc) cores, $$(lscpu | sed -n 's/^Model name: *//p'), $$(free -g | awk '/Mem:/{print $$2}') GiB"
	taskset -c 0 .build/release/ntkscope-bench engine $(ARGS)
	.build/release/ntkscope-bench explorer $(ARGS)
	.build/release/ntkscope-bench sampling $(ARGS)

clean:
	rm -rf .build
