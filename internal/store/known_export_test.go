package store

// KnownSources says how many times this server loaded a period's
// fresh-value sets from a snapshot, and how many times it built them
// from the values.
func (db *DB) KnownSources() (loaded, built int) {
	db.collect.mu.Lock()
	defer db.collect.mu.Unlock()
	return db.collect.loaded, db.collect.built
}

// WaitBackground waits for the work this server started in the background.
func (db *DB) WaitBackground() { db.bg.Wait() }
