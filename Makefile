# Thin wrapper around Meson for the two README commands and their friends.
# `make run` and `make test` install what they need on a fresh Debian 12.
BUILD      ?= build
CAMPUS_DB  ?= sqlite:var/campus.db
LISTEN     ?= 127.0.0.1:8080

.PHONY: all build run test asan fuzz bench bench-http bench-people bench-search bench-enrol bench-points po clean

all: build

build:
	scripts/deps.sh run
	scripts/assets.sh prod
	test -f $(BUILD)/build.ninja || meson setup $(BUILD) >/dev/null
	ninja -C $(BUILD)

run:
	scripts/deps.sh run
	$(MAKE) --no-print-directory build
	@mkdir -p var
	@test -f var/secret.key || (umask 077 && head -c 32 /dev/urandom > var/secret.key)
	@CAMPUS_SECRET_KEY_FILE=var/secret.key ./$(BUILD)/campus --db $(CAMPUS_DB) demo
	@echo "Campus: http://$(LISTEN)/  (stop with Ctrl-C)"
	CAMPUS_SECRET_KEY_FILE=var/secret.key ./$(BUILD)/campus --db $(CAMPUS_DB) serve --listen $(LISTEN)

test:
	scripts/deps.sh test
	scripts/assets.sh dev
	$(MAKE) --no-print-directory build
	scripts/test.sh

# Unit and HTTP tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	scripts/deps.sh test
	scripts/assets.sh dev
	test -f build-asan/build.ninja || meson setup build-asan -Db_sanitize=address,undefined -Dbuildtype=debug >/dev/null
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		CAMPUS_BUILD=build-asan SKIP_E2E=1 SKIP_FUZZ=1 scripts/test.sh

# The libFuzzer targets, each for FUZZ_SECONDS (default 60).
fuzz:
	scripts/deps.sh test
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} scripts/fuzz.sh

bench: bench-http bench-people bench-search bench-enrol bench-points

bench-http:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build
	bench/http.sh

bench-people:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build
	bench/people.sh

bench-search:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build
	bench/search.sh

# The enrolment storm: 5,000 learners, 500 seats, 64 connections, two servers,
# on SQLite and PostgreSQL, next to the raw commit rate (docs/internals/bench.md).
bench-enrol:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build
	bench/enrol.sh

# Points (issue 6): 30,000 completions through the API in batches, then every
# certificate as PDF, the sector norm report and the diplomas after a rule
# change, on SQLite and PostgreSQL (docs/internals/bench.md).
bench-points:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory build
	bench/points.sh

# Every diploma rule re-evaluated for the 30,000 demo people after a rule
# change (bench/diplomas.sh, docs/internals/diploma.md), also for
# bench/points.sh to call.
.PHONY: bench-diplomas
bench-diplomas:
	$(MAKE) --no-print-directory build
	bench/diplomas.sh

# Extract Dutch msgids from C and templates and merge them into po/en.po.
po: build
	scripts/po.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz var/test
