-- +goose Up
-- Every saved version of a visit's field record, with the SHA-256 of the
-- JSON stored; field_records keeps the latest. Records saved before this
-- migration are kept as version 1 without a digest.
CREATE TABLE field_record_versions (
    visit_id BIGINT NOT NULL REFERENCES visits (id),
    version  INTEGER NOT NULL,
    record   TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    done     BOOLEAN NOT NULL DEFAULT FALSE,
    by_id    BIGINT NOT NULL,
    at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (visit_id, version)
);
INSERT INTO field_record_versions (visit_id, version, record, sha256, done, by_id, at)
    SELECT visit_id, 1, record, '', FALSE, by_id, at FROM field_records;

-- +goose Down
DROP TABLE field_record_versions;
