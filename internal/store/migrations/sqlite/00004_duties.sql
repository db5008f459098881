-- +goose Up
-- Duty lists: a province's template for its townships or villages, and
-- the adjustments of the offices below it, every version kept.
CREATE TABLE duty_lists (
    id        INTEGER PRIMARY KEY,
    owner     TEXT NOT NULL,
    level     INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    effective TIMESTAMP NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    author_id INTEGER NOT NULL,
    created   TIMESTAMP NOT NULL,
    UNIQUE (owner, level, version)
);

CREATE TABLE duty_matters (
    list_id  INTEGER NOT NULL REFERENCES duty_lists (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    name_en  TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    basis    TEXT NOT NULL DEFAULT '',
    lead     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (list_id, seq)
);

-- The register of approved letters of responsibility and one-vote-veto items.
CREATE TABLE pledge_items (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    owner       TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    approved_by TEXT NOT NULL,
    basis       TEXT NOT NULL DEFAULT '',
    veto        BOOLEAN NOT NULL DEFAULT FALSE,
    valid_until TIMESTAMP NOT NULL,
    created     TIMESTAMP NOT NULL
);

ALTER TABLE demands ADD COLUMN pledge_item TEXT NOT NULL DEFAULT '';

-- "Not ours": a unit refuses a demand that slipped through, citing its list.
CREATE TABLE refusals (
    id         INTEGER PRIMARY KEY,
    demand_id  INTEGER NOT NULL REFERENCES demands (id),
    unit_code  TEXT NOT NULL,
    matter     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    person_id  INTEGER NOT NULL,
    created    TIMESTAMP NOT NULL,
    status     TEXT NOT NULL, -- pending, upheld, overturned
    decided_by INTEGER,
    decided    TIMESTAMP,
    decision   TEXT NOT NULL DEFAULT '',
    UNIQUE (demand_id, unit_code)
);
CREATE INDEX refusals_unit ON refusals (unit_code, status);

-- Escalation (吹哨报到): a township summons the offices responsible.
CREATE TABLE escalations (
    id          INTEGER PRIMARY KEY,
    unit_code   TEXT NOT NULL,
    matter      TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    created     TIMESTAMP NOT NULL,
    ack_by      TIMESTAMP NOT NULL,
    respond_by  TIMESTAMP NOT NULL,
    created_by  INTEGER NOT NULL
);
CREATE INDEX escalations_unit ON escalations (unit_code);

CREATE TABLE escalation_calls (
    escalation_id INTEGER NOT NULL REFERENCES escalations (id) ON DELETE CASCADE,
    office_id     INTEGER NOT NULL REFERENCES offices (id),
    acked         TIMESTAMP,
    responded     TIMESTAMP,
    response      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (escalation_id, office_id)
);
CREATE INDEX escalation_calls_office ON escalation_calls (office_id);

INSERT INTO meta (key, value) VALUES ('duties_version', '0');

-- +goose Down
DELETE FROM meta WHERE key = 'duties_version';
DROP TABLE escalation_calls;
DROP TABLE escalations;
DROP TABLE refusals;
ALTER TABLE demands DROP COLUMN pledge_item;
DROP TABLE pledge_items;
DROP TABLE duty_matters;
DROP TABLE duty_lists;
