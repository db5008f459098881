-- +goose Up
-- A person is linked to one register entry at most. SaveInspector checks
-- it inside its transaction, but two concurrent transactions on
-- PostgreSQL could both pass the check; this index makes the database
-- refuse the second. "No person" (NULL, or 0 from older writers) is not
-- a person and may repeat. Should duplicates exist already, this
-- migration fails and they must be unlinked by hand first.
CREATE UNIQUE INDEX inspectors_person_once ON inspectors (person_id) WHERE person_id > 0;

-- +goose Down
DROP INDEX inspectors_person_once;
