-- Meldingen per wijk en categorie, de meeste eerst.
-- datastroom sql -f examples/meldingen-per-wijk.sql --format csv-excel -o per-wijk.csv
SELECT wijk, categorie, COUNT(*) AS aantal
FROM meldingen
GROUP BY wijk, categorie
ORDER BY aantal DESC, wijk, categorie
