package store

import (
	"context"

	"lighten/internal/gate"
)

// CheckDemand runs the gate on a demand without changing anything: the
// issuer's dry run.
func (db *DB) CheckDemand(ctx context.Context, d *gate.Demand) (*gate.Result, error) {
	env, err := db.GateEnv(ctx)
	if err != nil {
		return nil, err
	}
	res, err := gate.Run(env, d, db.Now())
	if err != nil {
		return nil, err
	}
	return res, env.Err()
}

// SubmitDemand runs the gate on a draft (or a refused demand the issuer
// changed) and records the verdict, all in one transaction that no other
// admission runs beside.
func (db *DB) SubmitDemand(ctx context.Context, actor Actor, id int64) (*DemandRecord, *gate.Result, error) {
	var rec *DemandRecord
	var res *gate.Result
	err := db.Write(ctx, actor, func(tx *Tx) error {
		if err := tx.LockGate(ctx); err != nil {
			return err
		}
		var err error
		if rec, err = db.Demand(ctx, id); err != nil {
			return err
		}
		env, err := db.GateEnv(ctx)
		if err != nil {
			return err
		}
		if res, err = gate.Run(env, &rec.Demand, tx.Now); err != nil {
			return err
		}
		if err := env.Err(); err != nil {
			return err
		}
		return tx.RecordVerdict(ctx, rec, res, res.PerUnit, res.Units)
	})
	if err != nil {
		return nil, nil, err
	}
	rec, err = db.Demand(ctx, id)
	return rec, res, err
}

// DecideDemand settles a demand in review with the burden office's reason.
func (db *DB) DecideDemand(ctx context.Context, actor Actor, id int64, admit bool, reason string) (*DemandRecord, error) {
	err := db.Write(ctx, actor, func(tx *Tx) error {
		if err := tx.LockGate(ctx); err != nil {
			return err
		}
		rec, err := db.Demand(ctx, id)
		if err != nil {
			return err
		}
		var res *gate.Result
		if admit {
			env, err := db.GateEnv(ctx)
			if err != nil {
				return err
			}
			// The estimate is made again for the ledger: the findings were
			// weighed by the office; what the units will spend is recorded.
			if res, err = gate.Run(env, &rec.Demand, tx.Now); err != nil {
				return err
			}
			// A read of the environment that failed is an error, never a
			// smaller estimate written to the ledger.
			if err := env.Err(); err != nil {
				return err
			}
			return tx.Decide(ctx, rec, true, reason, res.PerUnit, res.Units)
		}
		return tx.Decide(ctx, rec, false, reason, nil, nil)
	})
	if err != nil {
		return nil, err
	}
	return db.Demand(ctx, id)
}
