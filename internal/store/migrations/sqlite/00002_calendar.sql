-- +goose Up
-- Official calendar years loaded by an administrator (lighten calendar load);
-- each loaded year replaces the embedded schedule of that year, see
-- internal/calendar. A year's schedule runs from 1 December of the year
-- before to 30 November, since its New Year's break can begin in December.
CREATE TABLE calendar_overrides (
    date   TEXT PRIMARY KEY CHECK (length(date) = 10), -- YYYY-MM-DD, a civil date in China
    kind   TEXT NOT NULL CHECK (kind IN ('holiday', 'workday', 'inlieu')),
    name   TEXT NOT NULL, -- as the file writes it: "English name,中文名,days"
    loaded TIMESTAMP NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE calendar_overrides;
