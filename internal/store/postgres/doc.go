// Package postgres implements news.Store on PostgreSQL 15+ with pgx: its own
// SQL and embedded migrations, weighted tsvector search, additive view counts,
// and the pieces several masthead nodes need to share one database (change
// notifications and an advisory-lock leader).
package postgres

import _ "github.com/jackc/pgx/v5/pgxpool"
