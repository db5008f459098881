-- +goose Up
-- When a visit's leader was first shown its day (their list, the visit's
-- page or their calendar feed): a run that moves or drops the visit then
-- tells its team.
ALTER TABLE visits ADD COLUMN shown TIMESTAMP;
CREATE INDEX visits_run ON visits (run_id);
-- What a run did to the visits of earlier runs: kept, unchanged, moved,
-- added, dropped, notified (counts).
ALTER TABLE schedule_runs ADD COLUMN changes TEXT NOT NULL DEFAULT '{}';

-- A planned visit a confirmed schedule run replaced: moved (replaced_by
-- names the new visit) or dropped. Its id stays here and is never given
-- to another visit; its team reads the notice on their visits page.
CREATE TABLE visit_changes (
    visit_id    BIGINT PRIMARY KEY,
    run_id      BIGINT NOT NULL REFERENCES schedule_runs (id), -- the run that replaced it
    from_run    BIGINT NOT NULL, -- the run that had made it
    replaced_by BIGINT,
    day         TEXT NOT NULL,
    new_day     TEXT,
    team        TEXT NOT NULL, -- JSON register numbers, the leader first
    new_team    TEXT NOT NULL DEFAULT '[]',
    told        BOOLEAN NOT NULL,
    created     TIMESTAMP NOT NULL
);
CREATE INDEX visit_changes_from_run ON visit_changes (from_run);
CREATE INDEX visit_changes_day ON visit_changes (day);

-- +goose Down
DROP INDEX visit_changes_day;
DROP INDEX visit_changes_from_run;
DROP TABLE visit_changes;
ALTER TABLE schedule_runs DROP COLUMN changes;
DROP INDEX visits_run;
ALTER TABLE visits DROP COLUMN shown;
