CREATE TABLE tickets (n serial PRIMARY KEY, label text NOT NULL);
