# alfwipe — find and destroy the content Alfresco leaves behind.
#
# Targets: all check unit integration demo bench install asan clean format
# Every library comes through pkg-config. Objects and test binaries go to build/.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := libpq libconfig libcurl jansson libcrypto zlib mysqlclient

BUILD   ?= build
SAN     ?=

WARN    := -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wconversion -Wstrict-prototypes \
           -Wmissing-prototypes -Wold-style-definition -Wcast-qual -Wwrite-strings \
           -Wpointer-arith -Wvla -Wundef -fno-common -Wno-missing-field-initializers \
           -Wduplicated-cond -Wduplicated-branches -Wlogical-op
ifeq ($(WERROR),1)
WARN    += -Werror
endif

OPT     ?= -O2
CFLAGS  ?= -g $(OPT)
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude -I$(BUILD) -pthread \
              $(shell pkg-config --cflags $(PKGS))
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -pthread
ifneq ($(SAN),)
ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=address,undefined
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
ALL_CFLAGS += -DALFWIPE_VERSION='"$(VERSION)"'

LIB_SRC  := $(sort $(filter-out src/main.c,$(shell find src -name '*.c')))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/sql_embed.o
MAIN_OBJ := $(BUILD)/src/main.o
SQL      := $(sort $(shell find sql/common sql/pg sql/mysql -name 'q_*.sql' 2>/dev/null))

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check unit integration demo bench install asan clean format deps
all: $(BUILD)/alfwipe

$(BUILD)/alfwipe: $(MAIN_OBJ) $(BUILD)/libalfwipe.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libalfwipe.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Queries live as plain .sql files under sql/ and are compiled into the binary.
$(BUILD)/sql_embed.c: scripts/embed-sql.sh $(SQL)
	@mkdir -p $(BUILD)
	sh scripts/embed-sql.sh $(SQL) > $@.tmp && mv $@.tmp $@

$(BUILD)/sql_embed.o: $(BUILD)/sql_embed.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libalfwipe.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(BUILD)/libalfwipe.a \
	    $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka)

# The README's test command. Installs missing Debian packages first (root), then runs the
# unit tests, the integration tests against real servers, and the integration tests once more
# under AddressSanitizer + UBSan.
check: deps
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) BUILD=build-asan SAN=1 integration

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

integration: $(BUILD)/alfwipe
	ALFWIPE=$(abspath $(BUILD)/alfwipe) sh tests/integration/run.sh

deps:
	@sh scripts/install-deps.sh

demo: deps
	$(MAKE) all
	ALFWIPE=$(abspath $(BUILD)/alfwipe) DB=$(or $(DB),postgresql) sh scripts/demo.sh

bench: deps
	$(MAKE) all $(BUILD)/barewalk
	ALFWIPE=$(abspath $(BUILD)/alfwipe) BAREWALK=$(abspath $(BUILD)/barewalk) sh bench/run.sh
	ALFWIPE=$(abspath $(BUILD)/alfwipe) sh bench/wipe.sh

# The bare disk walk bench/run.sh measures beside the report (not part of alfwipe).
$(BUILD)/barewalk: bench/barewalk.c
	@mkdir -p $(BUILD)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) -o $@ $<

asan:
	$(MAKE) BUILD=build-asan SAN=1 all

install: $(BUILD)/alfwipe
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/alfwipe
	install -m 755 $(BUILD)/alfwipe $(DESTDIR)$(PREFIX)/bin/alfwipe
	install -m 644 conf/alfwipe.conf.example README.md $(DESTDIR)$(PREFIX)/share/doc/alfwipe/

format:
	clang-format -i $(shell find src include tests/unit -name '*.[ch]')

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
