-- +goose Up
-- Verifiable draws of inspection targets. The secret and the selection are
-- kept sealed until the draw is revealed after the visits.
CREATE TABLE draws (
    id          INTEGER PRIMARY KEY,
    office_id   INTEGER NOT NULL REFERENCES offices (id),
    plan        TEXT NOT NULL,
    record      TEXT NOT NULL, -- JSON of the public record (no secret, no selection until revealed)
    secret      TEXT NOT NULL, -- hex
    selection   TEXT NOT NULL DEFAULT '[]',
    status      TEXT NOT NULL, -- committed, drawn, revealed
    created     TIMESTAMP NOT NULL,
    drawn       TIMESTAMP,
    reveal_after TIMESTAMP NOT NULL,
    revealed    TIMESTAMP,
    created_by  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE draws;
