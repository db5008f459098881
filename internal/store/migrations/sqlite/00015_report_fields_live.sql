-- Only live reports (in review, admitted or active) keep what they ask:
-- drafts, refused, withdrawn and closed ones are no longer looked up.
-- +goose Up
DELETE FROM report_fields WHERE demand_id IN (SELECT id FROM demands WHERE status NOT IN ('review', 'admitted', 'active'));

-- +goose Down
-- Nothing to bring back: a draft's fields are written again when it is submitted.
SELECT 1;
