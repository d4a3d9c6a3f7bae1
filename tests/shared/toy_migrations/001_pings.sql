CREATE TABLE pings (n integer NOT NULL);
