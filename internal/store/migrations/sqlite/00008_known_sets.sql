-- +goose Up
-- One index of values instead of two: by period, unit and element, with
-- current and at, for every value, current or not. A submission's values
-- are adjacent in it; a unit's form and the supersede read one range; a
-- unit's history of an element is an equality on its first three columns;
-- the fresh-value pass reads a period's range without leaving the index.
-- (It replaces vals_current, over current values only, and vals_unit, by
-- unit, element and period: a new value was an entry in each.)
DROP INDEX vals_current;
DROP INDEX vals_unit;
CREATE INDEX vals_key ON vals (period, unit_code, element_id, current, at);

-- The fresh-value sets of every element of a period, as a server built
-- them, so that a server starting loads them rather than reading every
-- current value of the period. Positions are those of the unit tree at
-- units_version (with units units); every value with id <= upto is in
-- them; built is when values gone stale were last left out.
CREATE TABLE known_sets (
    period        TEXT PRIMARY KEY,
    units_version INTEGER NOT NULL,
    units         INTEGER NOT NULL,
    upto          INTEGER NOT NULL,
    built         TIMESTAMP NOT NULL,
    sets          BLOB NOT NULL
);

-- +goose Down
DROP TABLE known_sets;
DROP INDEX vals_key;
CREATE INDEX vals_current ON vals (period, unit_code, element_id, at, current) WHERE current;
CREATE INDEX vals_unit ON vals (unit_code, element_id, period);
