-- +goose Up
-- Policy documents of burden-reduction offices, every version kept; the
-- newest version of a unit is in force. unit_code '' is the country.
CREATE TABLE policies (
    unit_code TEXT NOT NULL,
    version   INTEGER NOT NULL,
    doc       TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    author_id INTEGER NOT NULL,
    created   TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_code, version)
);

CREATE TABLE demands (
    id               INTEGER PRIMARY KEY,
    office_id        INTEGER NOT NULL REFERENCES offices (id),
    issuer_unit      TEXT NOT NULL,
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    matter           TEXT NOT NULL DEFAULT '',
    target_units     INTEGER NOT NULL DEFAULT 0, -- listed units, in demand_units
    target_level     INTEGER NOT NULL DEFAULT 0, -- or every unit of this level
    target_under     TEXT NOT NULL DEFAULT '',   -- under this unit
    due              TIMESTAMP,
    start_at         TIMESTAMP,
    end_at           TIMESTAMP,
    day              TIMESTAMP NOT NULL,         -- due date or start: when it lands
    place            TEXT NOT NULL DEFAULT '',
    asks             TEXT NOT NULL,              -- JSON of gate.Asks
    details          TEXT NOT NULL,              -- JSON of the kind's own information
    emergency        BOOLEAN NOT NULL DEFAULT FALSE,
    emergency_reason TEXT NOT NULL DEFAULT '',
    comprehensive    BOOLEAN NOT NULL DEFAULT FALSE,
    status           TEXT NOT NULL,
    targets          INTEGER NOT NULL DEFAULT 0,
    per_unit         INTEGER NOT NULL DEFAULT 0,
    total_minutes    BIGINT NOT NULL DEFAULT 0,
    burden           TEXT NOT NULL DEFAULT '', -- JSON of gate.Burden at the last check
    created_by       INTEGER NOT NULL,
    created          TIMESTAMP NOT NULL,
    submitted        TIMESTAMP,
    decided          TIMESTAMP,
    decided_by       INTEGER,
    decision         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX demands_office ON demands (office_id, kind, day);
CREATE INDEX demands_status ON demands (status, issuer_unit);
CREATE INDEX demands_spec ON demands (target_level, target_under);

CREATE TABLE demand_units (
    demand_id INTEGER NOT NULL REFERENCES demands (id) ON DELETE CASCADE,
    unit_code TEXT NOT NULL,
    PRIMARY KEY (demand_id, unit_code)
);
CREATE INDEX demand_units_unit ON demand_units (unit_code);

-- Findings of the last check of a demand.
CREATE TABLE findings (
    demand_id  INTEGER NOT NULL REFERENCES demands (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    rule       TEXT NOT NULL,
    severity   TEXT NOT NULL,
    message_zh TEXT NOT NULL,
    message_en TEXT NOT NULL,
    fix_zh     TEXT NOT NULL,
    fix_en     TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    params     TEXT NOT NULL,
    units      INTEGER NOT NULL,
    PRIMARY KEY (demand_id, seq)
);
CREATE INDEX findings_rule ON findings (rule);

-- The estimated minutes an admitted demand costs its targets in a month:
-- either every unit of a level under a unit (unit_code ''), or one unit.
CREATE TABLE loads (
    demand_id INTEGER NOT NULL REFERENCES demands (id) ON DELETE CASCADE,
    month     TEXT NOT NULL,
    level     INTEGER NOT NULL,
    under     TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    minutes   INTEGER NOT NULL
);
CREATE INDEX loads_month ON loads (month);
CREATE INDEX loads_unit ON loads (unit_code);

-- What a unit did about a demand in its inbox.
CREATE TABLE demand_acts (
    demand_id INTEGER NOT NULL REFERENCES demands (id) ON DELETE CASCADE,
    unit_code TEXT NOT NULL,
    act       TEXT NOT NULL,
    person_id INTEGER NOT NULL,
    at        TIMESTAMP NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (demand_id, unit_code, act)
);

INSERT INTO meta (key, value) VALUES ('loads_version', '0');
INSERT INTO meta (key, value) VALUES ('policies_version', '0');

-- +goose Down
DELETE FROM meta WHERE key IN ('loads_version', 'policies_version');
DROP TABLE demand_acts;
DROP TABLE loads;
DROP TABLE findings;
DROP TABLE demand_units;
DROP TABLE demands;
DROP TABLE policies;
