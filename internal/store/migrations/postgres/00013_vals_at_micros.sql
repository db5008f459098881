-- +goose Up
-- On SQLite this migration stores a value's time as microseconds in an
-- INTEGER (see the SQLite file). PostgreSQL's timestamptz is eight bytes
-- already and stays as it is; the migration is here so that both
-- databases number their schema alike.
SELECT 1;

-- +goose Down
SELECT 1;
