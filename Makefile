# The commands CI runs, one for one (.ci/run calls `make lint` and `make test`).
CARGO ?= cargo

.PHONY: run test lint fmt clippy layering bench bench-provisioning bench-reputation db migrate token

## run: the service on its local defaults (local PostgreSQL, built-in SES emulator)
run: db
	$(CARGO) run -p posthawk-tenants -- serve

## test: every test, against the local PostgreSQL (one database per test)
test: db
	$(CARGO) test --workspace --all-features

## lint: formatting, clippy with warnings as errors, and the layering check
lint: fmt clippy layering

fmt:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

layering:
	scripts/check-layering.sh

## bench: load GET /tenants/status with wrk against the release binary
bench: db
	scripts/bench-status.sh

## bench-provisioning: one workspace's first domain with 20 ms SES latency, then 1,000 at
## once under a 50 SES calls/s limit, with 1 and 3 replicas (~12 min)
bench-provisioning: db
	$(CARGO) build --release -p posthawk-tenants --example bench_provisioning
	RUST_LIB_BACKTRACE=0 $(CARGO) run -q --release -p posthawk-tenants --example bench_provisioning -- single
	RUST_LIB_BACKTRACE=0 $(CARGO) run -q --release -p posthawk-tenants --example bench_provisioning -- burst
	RUST_LIB_BACKTRACE=0 $(CARGO) run -q --release -p posthawk-tenants --example bench_provisioning -- burst --replicas 3

## bench-reputation: refresh and backfill 10,000 tenants under a 50 SES calls/s limit (~10 min)
bench-reputation: db
	RUST_LIB_BACKTRACE=0 $(CARGO) run -q --release -p posthawk-tenants --example bench_reputation -- --ses-max-calls-per-second 45

## db: make sure PostgreSQL is up
db:
	scripts/ensure-postgres.sh

## migrate: create and migrate the database named by DATABASE_URL
migrate: db
	$(CARGO) run -p posthawk-tenants -- migrate

## token: print a local token, e.g. `make token WORKSPACE=<uuid>`
token:
	@$(CARGO) run -q -p posthawk-tenants -- token --workspace $(WORKSPACE)
