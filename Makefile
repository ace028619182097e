# clara-backup: composition only. Every branch or loop lives in a clara-* tool.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

# Same names as the environment variables.
CLARA ?= $(CURDIR)/demo/clara
DATABASE_URL ?= sqlite://$(CLARA)/db.sqlite3
BACKUP_ROOT ?= /srv/clara_backups
DEMO := $(CURDIR)/demo

.PHONY: all install build test demo clean

all: build

node_modules/.modules.yaml: package.json pnpm-lock.yaml pnpm-workspace.yaml
	scripts/bootstrap.sh
	pnpm install --frozen-lockfile
	touch $@

install: node_modules/.modules.yaml

build: install
	pnpm run build

test: build
	scripts/test-deps.sh
	pnpm exec tap 'shared/dist/test/**/*.js' 'tools/*/dist/test/**/*.js'

demo: build
	rm -rf $(DEMO)
	clara-fixture --clara $(DEMO)/clara --db sqlite://$(DEMO)/clara/db.sqlite3
	clara-list-projects --clara $(DEMO)/clara --db sqlite://$(DEMO)/clara/db.sqlite3 > $(DEMO)/projects.ndjson
	@echo "demo: $$(grep -c '"type":"project"' $(DEMO)/projects.ndjson) projects, $$(grep -c '"type":"orphan"' $(DEMO)/projects.ndjson) orphans listed in $(DEMO)/projects.ndjson"

clean:
	rm -rf demo shared/dist tools/*/dist shared/*.tsbuildinfo tools/*/*.tsbuildinfo
