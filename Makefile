# clara-backup: composition only. Every branch or loop lives in a clara-* tool.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

# The same names as the environment variables.
CLARA ?= $(CURDIR)/demo/clara
DATABASE_URL ?= sqlite://$(CLARA)/db.sqlite3
BACKUP_ROOT ?= /srv/clara_backups
# A piecemeal domain target writes into this run directory.
DEST ?= $(BACKUP_ROOT)/manual
# Extra flags for clara-backup, e.g. ARGS="--full --snapshots".
ARGS ?=
DEMO := $(CURDIR)/demo
export CLARA DATABASE_URL BACKUP_ROOT DEST

.PHONY: all deps install build test demo bench clean backup backup-source backup-compiled backup-legacy \
	backup-db backup-audio backup-media backup-infra backup-snapshots prune push verify restore restore-project stress

all: build

node_modules/.modules.yaml: package.json pnpm-lock.yaml pnpm-workspace.yaml
	scripts/bootstrap.sh
	pnpm install --frozen-lockfile
	touch $@

## The checkout's dependencies (pnpm install), for building and developing.
deps: node_modules/.modules.yaml

build: deps
	pnpm run build

## Install once: a built, self-contained copy in $(PREFIX)/lib/clara-backup, its clara-* commands in
## $(PREFIX)/bin, the systemd units in $(SYSTEMD_DIR) ("none" skips them) and their environment file
## $(ENV_FILE) (mode 600, kept when it exists). Nothing in the copy rebuilds or reads this checkout.
PREFIX ?= /opt/clara-backup
SYSTEMD_DIR ?= /etc/systemd/system
ENV_FILE ?= /etc/clara-backup/clara-backup.env
BACKUP_USER ?= root
install: build
	PREFIX="$(PREFIX)" SYSTEMD_DIR="$(SYSTEMD_DIR)" ENV_FILE="$(ENV_FILE)" BACKUP_USER="$(BACKUP_USER)" scripts/install.sh

test: build
	scripts/test-deps.sh
	# The tests make their own installs and databases: none of the variables above may leak into them.
	# Then the ten slowest test files (from tap's saved results), pass or fail; tap's status is make's.
	started=$$(date +%s%3N); rc=0; \
	env -u CLARA -u DATABASE_URL -u DB_TYPE -u BACKUP_ROOT -u DEST -u RESTORE_ARGS -u CLARA_LOG \
	  pnpm exec tap 'shared/dist/test/**/*.js' 'tools/*/dist/test/**/*.js' 'test/dist/**/*.js' || rc=$$?; \
	node scripts/slowest-tests.mjs "$$started" 10; \
	exit $$rc

## The whole job: every domain, one run directory, manifest last, then `latest`. For development: it
## builds first, and make turns every failure into its own exit 2, so the run's exit code is printed.
## Nightly jobs run the installed clara-backup (make install) instead.
backup: build
	@status=0; scripts/backup_all.sh $(ARGS) || status=$$?; \
	  echo "make backup: clara-backup exited $$status ($$(case $$status in 0) echo complete;; 1) echo partial;; 3) echo incomplete;; 11) echo locked;; 130) echo interrupted;; *) echo failed;; esac))" >&2; \
	  exit $$status

## One domain at a time, into $(DEST) (a run directory).
backup-source: build
	scripts/backup_source.sh
backup-compiled: build
	scripts/backup_compiled.sh
backup-legacy: build
	scripts/backup_legacy.sh
backup-db: build
	scripts/backup_db.sh
backup-audio: build
	scripts/backup_audio_cache.sh
backup-media: build
	scripts/backup_media.sh
backup-infra: build
	scripts/backup_infra.sh
backup-snapshots: build
	scripts/backup_snapshots.sh

## Verify the newest run, e.g. VERIFY_ARGS="--data full --rehearse-db".
VERIFY_ARGS ?= --data sample 10%
verify: build
	clara-verify $(BACKUP_ROOT)/latest $(VERIFY_ARGS)

## Restore a run (everything, project sources included) into $(CLARA) and $(DATABASE_URL), e.g. RESTORE_ARGS="--app-dir /srv/clara --owner clara --identity key.txt" (--domains narrows).
RUN ?= $(BACKUP_ROOT)/latest
RESTORE_ARGS ?=
export RESTORE_ARGS
restore: build
	scripts/restore.sh $(RUN)

## One project back into the live install, e.g. make restore-project PROJECT=37 (REPLACE=1 over a live copy).
PROJECT ?=
REPLACE ?=
restore-project: build
	@[ -n "$(PROJECT)" ] || { echo "make restore-project: set PROJECT=<id>" >&2; exit 2; }
	clara-restore $(RUN) --project $(PROJECT) --into $(CLARA) $(if $(REPLACE),--replace)

## Retention: dry run by default; DELETE=1 deletes.
DELETE ?=
PRUNE_ARGS ?=
prune: build
	clara-prune --root $(BACKUP_ROOT) $(if $(DELETE),--delete) $(PRUNE_ARGS)

## Off-site copy: make push REMOTE=user@host:/path (ssh options in CLARA_PUSH_SSH).
REMOTE ?=
push: build
	scripts/push.sh "$(REMOTE)"

demo: build
	scripts/demo.sh

## Benchmarks: the issue-7 table at BENCH_SCALE and twice it (BENCH_SCALE2), then the zip and shard benches;
## prints the tables and writes bench/results.json. About 8 minutes on a quiet 2-core machine.
## The long proof: >= 200 SIGKILL crash trials, randomised round trips, the faults catalogue (STRESS_SEED=… replays).
stress: build
	scripts/test-deps.sh
	scripts/stress.sh

bench: build
	scripts/test-deps.sh
	# The bench makes its own installs: the demo's CLARA/DATABASE_URL above must not reach its runs.
	env -u CLARA -u DATABASE_URL -u DB_TYPE -u BACKUP_ROOT -u DEST -u RESTORE_ARGS -u CLARA_LOG BENCH_OUT=bench/out bench/run.sh

clean:
	rm -rf demo bench/out shared/dist tools/*/dist test/dist shared/*.tsbuildinfo tools/*/*.tsbuildinfo test/*.tsbuildinfo
