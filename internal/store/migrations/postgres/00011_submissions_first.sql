-- +goose Up
-- Completeness asks, for one report, each unit's first submission: with
-- the time in the index it is answered from the index alone, without a
-- visit to the table for every submission.
DROP INDEX submissions_demand;
CREATE INDEX submissions_demand ON submissions (demand_id, unit_code, at);

-- +goose Down
DROP INDEX submissions_demand;
CREATE INDEX submissions_demand ON submissions (demand_id, unit_code);
