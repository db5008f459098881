-- +goose Up
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('units_version', '0');

-- The national statistical tree. Codes are hierarchical: a unit's code
-- begins with its parent's.
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    parent      TEXT,
    placeholder BOOLEAN NOT NULL DEFAULT FALSE,
    lat         DOUBLE PRECISION,
    lon         DOUBLE PRECISION
) WITHOUT ROWID;
CREATE INDEX units_parent ON units (parent);

CREATE TABLE offices (
    id        INTEGER PRIMARY KEY,
    unit_code TEXT NOT NULL REFERENCES units (code),
    name      TEXT NOT NULL,
    name_en   TEXT NOT NULL DEFAULT '',
    burden    BOOLEAN NOT NULL DEFAULT FALSE,
    created   TIMESTAMP NOT NULL,
    UNIQUE (unit_code, name)
);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    unit_code     TEXT NOT NULL REFERENCES units (code),
    office_id     INTEGER REFERENCES offices (id),
    phone         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created       TIMESTAMP NOT NULL
);
CREATE INDEX people_unit ON people (unit_code);

-- unit_code '' is the whole country.
CREATE TABLE grants (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    PRIMARY KEY (person_id, role, unit_code)
);

CREATE TABLE sessions (
    digest    TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    method    TEXT NOT NULL,
    created   TIMESTAMP NOT NULL,
    seen      TIMESTAMP NOT NULL,
    expires   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_tokens (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    digest    TEXT NOT NULL UNIQUE,
    created   TIMESTAMP NOT NULL,
    expires   TIMESTAMP NOT NULL,
    last_used TIMESTAMP,
    revoked   TIMESTAMP
);

CREATE TABLE signin_failures (
    id      INTEGER PRIMARY KEY,
    login   TEXT NOT NULL,
    address TEXT NOT NULL,
    at      TIMESTAMP NOT NULL
);
CREATE INDEX signin_failures_login ON signin_failures (login, at);
CREATE INDEX signin_failures_address ON signin_failures (address, at);

-- Hash-chained audit log; see internal/audit.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    actor_id  INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    reason    TEXT NOT NULL,
    before    TEXT NOT NULL,
    after     TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_unit ON audit (unit_code, seq);

-- +goose Down
DROP TABLE audit;
DROP TABLE signin_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE grants;
DROP TABLE people;
DROP TABLE offices;
DROP TABLE units;
DROP TABLE meta;
