-- +goose Up
-- Annual inspection and research plans, the inspector register, schedule
-- runs, sealed visits, field records and photos. Calendar dates are TEXT
-- YYYY-MM-DD (civil dates in China); lists are JSON text.
CREATE TABLE plans (
    id        INTEGER PRIMARY KEY,
    office_id INTEGER NOT NULL REFERENCES offices (id),
    year      INTEGER NOT NULL,
    title     TEXT NOT NULL,
    status    TEXT NOT NULL, -- draft, review, approved, refused
    created   TIMESTAMP NOT NULL,
    decided   TIMESTAMP,
    created_by INTEGER NOT NULL
);
CREATE INDEX plans_office ON plans (office_id, year);

CREATE TABLE plan_items (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    code      TEXT NOT NULL UNIQUE,
    title     TEXT NOT NULL,
    title_en  TEXT NOT NULL DEFAULT '',
    kind      TEXT NOT NULL, -- comprehensive, special, research
    checklist TEXT NOT NULL DEFAULT '[]',
    scope     TEXT NOT NULL,
    level     INTEGER NOT NULL,
    rate      DOUBLE PRECISION NOT NULL,
    tiers     TEXT NOT NULL DEFAULT '[]',
    team      INTEGER NOT NULL,
    date_from TEXT NOT NULL,
    date_to   TEXT NOT NULL,
    draw_id   INTEGER REFERENCES draws (id)
);
CREATE INDEX plan_items_plan ON plan_items (plan_id, seq);
CREATE INDEX plan_items_window ON plan_items (date_from, date_to);

-- The inspector register: numbers are public, names are not.
CREATE TABLE inspectors (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    office_id  INTEGER NOT NULL REFERENCES offices (id),
    person_id  INTEGER REFERENCES people (id),
    works      TEXT NOT NULL,
    origin     TEXT NOT NULL DEFAULT '',
    relations  TEXT NOT NULL DEFAULT '[]',
    capacity   INTEGER NOT NULL,
    max_travel INTEGER NOT NULL,
    away       TEXT NOT NULL DEFAULT '[]',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    calendar_digest TEXT UNIQUE, -- digest of the iCal feed's secret
    created    TIMESTAMP NOT NULL
);
CREATE INDEX inspectors_office ON inspectors (office_id);
CREATE INDEX inspectors_person ON inspectors (person_id);

CREATE TABLE schedule_runs (
    id          INTEGER PRIMARY KEY,
    scope       TEXT NOT NULL,
    date_from   TEXT NOT NULL,
    date_to     TEXT NOT NULL,
    items       TEXT NOT NULL DEFAULT '[]', -- plan item codes
    stats       TEXT NOT NULL DEFAULT '{}',
    unscheduled TEXT NOT NULL DEFAULT '[]', -- sealed: names units
    created     TIMESTAMP NOT NULL,
    created_by  INTEGER NOT NULL
);

CREATE TABLE visits (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES schedule_runs (id),
    unit_code TEXT NOT NULL,
    day       TEXT NOT NULL,
    team      TEXT NOT NULL, -- JSON register numbers, the leader first
    items     TEXT NOT NULL, -- JSON of the plan items served
    research  BOOLEAN NOT NULL DEFAULT FALSE, -- serves only research items
    status    TEXT NOT NULL, -- planned, started, done
    started   TIMESTAMP,
    done      TIMESTAMP
);
CREATE INDEX visits_day ON visits (day);
CREATE INDEX visits_unit ON visits (unit_code, day);

-- Which plan items a visit serves, and which inspectors it sends.
CREATE TABLE visit_items (
    visit_id  INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    item_code TEXT NOT NULL,
    PRIMARY KEY (visit_id, item_code)
);
CREATE INDEX visit_items_item ON visit_items (item_code);

CREATE TABLE visit_inspectors (
    visit_id INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    number   TEXT NOT NULL,
    PRIMARY KEY (visit_id, number)
);
CREATE INDEX visit_inspectors_number ON visit_inspectors (number);

CREATE TABLE field_records (
    visit_id INTEGER PRIMARY KEY REFERENCES visits (id),
    record   TEXT NOT NULL,
    by_id    INTEGER NOT NULL,
    at       TIMESTAMP NOT NULL
);

CREATE TABLE photos (
    id       INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits (id),
    name     TEXT NOT NULL,
    type     TEXT NOT NULL,
    size     BIGINT NOT NULL,
    sha256   TEXT NOT NULL,
    data     BLOB NOT NULL,
    taken    TIMESTAMP NOT NULL,
    created  TIMESTAMP NOT NULL
);
CREATE INDEX photos_visit ON photos (visit_id);

-- The inspectors drawn for each target, sealed like the selection.
ALTER TABLE draws ADD COLUMN teams TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE draws DROP COLUMN teams;
DROP TABLE photos;
DROP TABLE field_records;
DROP TABLE visit_inspectors;
DROP TABLE visit_items;
DROP TABLE visits;
DROP TABLE schedule_runs;
DROP TABLE inspectors;
DROP TABLE plan_items;
DROP TABLE plans;
