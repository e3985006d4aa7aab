# kinesim — see README.md. `make help` lists the targets.
GO        ?= go
SCENARIO  ?= bike-rush-hour
RUN_ARGS  ?=
PKGS      ?= ./...
# VERSION names the commit in `kinesim --version` and result.json even when
# GOFLAGS has -buildvcs=false (then Go stamps no vcs.revision).
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: help build run test test-setup vet bench clean

## help: list the targets and what they do
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## //' | awk -F': ' '{printf "  %-12s %s\n", $$1, $$2}'

## build: build the kinesim binary into bin/
build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/kinesim ./cmd/kinesim

## run: run the built-in scenario bike-rush-hour on the emulated stream (SCENARIO=, RUN_ARGS= to change)
run:
	$(GO) run -ldflags "-X main.version=$(VERSION)" ./cmd/kinesim run $(SCENARIO) $(RUN_ARGS)

## test-setup: install what the tests need (pinned npm Kinesis-compatible servers, Chromium, the AWS CLI v2)
test-setup:
	bash tools/testservers/install.sh
	bash tools/chromium/install.sh
	bash tools/awscli/install.sh

## vet: go vet and gofmt check
vet:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## test: install test dependencies, vet, and run every test with the race detector
test: test-setup vet
	$(GO) test -race -count=1 -timeout 9m $(PKGS)

## bench: run the Go benchmarks (speed and memory targets live here, not in tests)
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## clean: remove build output and run folders
clean:
	rm -rf bin runs
