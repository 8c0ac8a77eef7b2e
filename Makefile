# graphsvc: `make serve` runs the service on demo data, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup serve test lint typecheck unit bench bench-large clean browser fuzz faults
.PHONY: neo4j-build neo4j neo4j-stop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The explorer page's drawing library: npm packages pinned by web/package-lock.json, and the
# library's ES module build copied next to the page (graphsvc serves it at /explorer/vendor/).
WEB_STAMP    := web/node_modules/.installed-stamp
EXPLORER_LIB := graphsvc/explorer/static/vendor/cytoscape.esm.min.js

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(EXPLORER_LIB): $(WEB_STAMP)
	mkdir -p $(@D)
	cp web/node_modules/cytoscape/dist/cytoscape.esm.min.mjs $@
	cp web/node_modules/cytoscape/LICENSE $(@D)/cytoscape.LICENSE

setup: $(STAMP) $(EXPLORER_LIB)  ## create .venv, install graphsvc with its development tools and the explorer's npm packages

browser:  ## Debian's chromium (and a Chinese font) for the explorer's browser tests and benchmark
	dpkg -s chromium fonts-wqy-zenhei >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei)

serve: setup  ## run the service on 127.0.0.1:8000 (an empty store gets the demo data)
	$(BIN)/graphsvc serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup neo4j-build browser
	$(BIN)/pytest

test: lint typecheck unit  ## everything CI runs

# The fuzz and fault suites run in `make test` with small bounds; these run them longer.
FUZZ_EXAMPLES ?= 100
FAULT_ROUNDS  ?= 100

fuzz: setup  ## fuzz longer: schemathesis on /graphql, the loaders, mutation inputs (minutes)
	GRAPHSVC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/fuzz -q -p no:cacheprovider

faults: setup neo4j-build  ## the fault suite with more SIGKILL rounds (root: it mounts file systems)
	GRAPHSVC_FAULT_ROUNDS=$(FAULT_ROUNDS) $(BIN)/pytest tests/faults -q -p no:cacheprovider

bench: setup browser  ## run the benchmarks under benchmarks/ and write docs/benchmarks.md
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/run.py

bench-large: setup browser  ## the same, plus every benchmark at --scale 100 (about four hours, up to ~21 GiB)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/run.py --large

# The development and test Neo4j (neo4j/: an embedded Neo4j 5.26 with Bolt on 127.0.0.1).
NEO4J_JAR  := neo4j/target/graphsvc-neo4j.jar
NEO4J_VAR  := var/neo4j
NEO4J_PORT ?= 7687
NEO4J_HEAP ?= 2g

$(NEO4J_JAR): neo4j/pom.xml $(shell find neo4j/src -name '*.java' 2>/dev/null)
	cd neo4j && mvn -q -B package
	touch $@

neo4j-build: $(NEO4J_JAR)  ## build the Neo4j launcher (Maven Central; the first build downloads)

neo4j: neo4j-build  ## start Neo4j in the background (data in var/neo4j/data); prints its Bolt URI
	@mkdir -p $(NEO4J_VAR); \
	if [ -f $(NEO4J_VAR)/pid ] && kill -0 "$$(cat $(NEO4J_VAR)/pid)" 2>/dev/null; then \
		grep -m1 '^bolt://' $(NEO4J_VAR)/stdout.log; exit 0; fi; \
	rm -f $(NEO4J_VAR)/stdout.log; \
	nohup java -Xmx$(NEO4J_HEAP) -jar $(NEO4J_JAR) --data-dir $(NEO4J_VAR)/data \
		--port $(NEO4J_PORT) >$(NEO4J_VAR)/stdout.log 2>$(NEO4J_VAR)/stderr.log </dev/null & \
	echo $$! >$(NEO4J_VAR)/pid; \
	for i in $$(seq 180); do \
		if grep -m1 '^bolt://' $(NEO4J_VAR)/stdout.log 2>/dev/null; then exit 0; fi; \
		if ! kill -0 "$$(cat $(NEO4J_VAR)/pid)" 2>/dev/null; then \
			tail -n 20 $(NEO4J_VAR)/stderr.log >&2; rm -f $(NEO4J_VAR)/pid; \
			echo "neo4j did not start (see $(NEO4J_VAR)/stderr.log)" >&2; exit 1; fi; \
		sleep 1; done; echo "neo4j did not print its URI within 180 s" >&2; exit 1

neo4j-stop:  ## stop the Neo4j that `make neo4j` started (by its PID)
	@if [ -f $(NEO4J_VAR)/pid ] && kill "$$(cat $(NEO4J_VAR)/pid)" 2>/dev/null; then \
		pid="$$(cat $(NEO4J_VAR)/pid)"; \
		for i in $$(seq 60); do kill -0 "$$pid" 2>/dev/null || break; sleep 1; done; \
		echo "neo4j stopped"; else echo "neo4j is not running"; fi
	@rm -f $(NEO4J_VAR)/pid

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache web/node_modules graphsvc/explorer/static/vendor
