-- +goose Up
-- The shared data dictionary.
CREATE TABLE elements (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL,
    measure    TEXT NOT NULL DEFAULT '',
    period     TEXT NOT NULL,
    valid_days INTEGER NOT NULL DEFAULT 0,
    owner_id   INTEGER NOT NULL REFERENCES offices (id),
    readers    TEXT NOT NULL DEFAULT '[]', -- JSON list of office ids; empty for every office
    choices    TEXT NOT NULL DEFAULT '[]',
    min_value  DOUBLE PRECISION,
    max_value  DOUBLE PRECISION,
    status     TEXT NOT NULL,
    created    TIMESTAMP NOT NULL,
    created_by INTEGER NOT NULL,
    decided_by INTEGER,
    decision   TEXT NOT NULL DEFAULT ''
);

-- Cross-element rules, such as households <= population.
CREATE TABLE element_rules (
    id         INTEGER PRIMARY KEY,
    left_code  TEXT NOT NULL,
    op         TEXT NOT NULL,
    right_code TEXT NOT NULL,
    created    TIMESTAMP NOT NULL
);

-- Values by unit, element and period, with provenance; a correction keeps
-- the earlier value (current = FALSE).
CREATE TABLE vals (
    id         INTEGER PRIMARY KEY,
    unit_code  TEXT NOT NULL,
    element_id INTEGER NOT NULL,
    period     TEXT NOT NULL,
    value      TEXT NOT NULL,
    demand_id  INTEGER,
    person_id  INTEGER NOT NULL,
    at         TIMESTAMP NOT NULL,
    source     TEXT NOT NULL,
    current    BOOLEAN NOT NULL
);
-- Current values by period and unit: a submission's values are adjacent
-- (one or two leaf pages to write, not one per element), a unit's form
-- reads one range, and the fresh-value sets of every element of a period
-- are built in one pass that never leaves the index (hence at, and
-- current, which SQLite needs in the index to read it alone).
CREATE INDEX vals_current ON vals (period, unit_code, element_id, at, current) WHERE current;
CREATE INDEX vals_unit ON vals (unit_code, element_id, period);

-- One row per accepted submission of a unit to a report.
CREATE TABLE submissions (
    id         INTEGER PRIMARY KEY,
    demand_id  INTEGER NOT NULL REFERENCES demands (id),
    unit_code  TEXT NOT NULL,
    client_key TEXT NOT NULL,
    person_id  INTEGER NOT NULL,
    at         TIMESTAMP NOT NULL,
    n_values   INTEGER NOT NULL,
    UNIQUE (demand_id, unit_code, client_key)
);
CREATE INDEX submissions_demand ON submissions (demand_id, unit_code);

-- What each report asks, for finding overlapping reports.
CREATE TABLE report_fields (
    demand_id    INTEGER NOT NULL REFERENCES demands (id) ON DELETE CASCADE,
    element_code TEXT NOT NULL,
    period       TEXT NOT NULL,
    PRIMARY KEY (demand_id, element_code)
);
CREATE INDEX report_fields_element ON report_fields (element_code, period);

ALTER TABLE demands ADD COLUMN answered BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE demands ADD COLUMN data_date TIMESTAMP;

-- +goose Down
ALTER TABLE demands DROP COLUMN data_date;
ALTER TABLE demands DROP COLUMN answered;
DROP TABLE report_fields;
DROP TABLE submissions;
DROP TABLE vals;
DROP TABLE element_rules;
DROP TABLE elements;
