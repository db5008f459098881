-- +goose Up
-- The burden-reduction office's decision on a plan the gate sent to
-- review: its written reason and who made it (decided is when).
ALTER TABLE plans ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN decided_by INTEGER;

-- +goose Down
ALTER TABLE plans DROP COLUMN decided_by;
ALTER TABLE plans DROP COLUMN reason;
