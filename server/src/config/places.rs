//! Approximate places of addresses, from a database in the GeoLite2 format
//! the operator supplies (`GATEHOUSE_GEOIP_DB`): read once at start-up,
//! looked up in memory, never over the network. Without one, no places.

use std::net::IpAddr;
use std::path::Path;

/// The operator's places database, if any.
#[derive(Default)]
pub struct Places(Option<maxminddb::Reader<Vec<u8>>>);

impl std::fmt::Debug for Places {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.0.as_ref().map(|r| r.metadata().database_type.as_str());
        f.debug_tuple("Places").field(&kind).finish()
    }
}

impl Places {
    /// Reads the database at `path` whole.
    pub fn open(path: &Path) -> Result<Self, String> {
        maxminddb::Reader::open_readfile(path)
            .map(|reader| Self(Some(reader)))
            .map_err(|e| e.to_string())
    }

    /// "Berlin, Germany", or the country alone, in English; `None` for an
    /// address the database does not place (or with no database).
    pub fn of(&self, address: &str) -> Option<String> {
        let reader = self.0.as_ref()?;
        let ip: IpAddr = address.parse().ok()?;
        let city = reader
            .lookup(ip)
            .ok()?
            .decode::<maxminddb::geoip2::City>()
            .ok()??;
        let country = city.country.names.english;
        match (city.city.names.english, country) {
            (Some(city), Some(country)) => Some(format!("{city}, {country}")),
            (None, Some(country)) => Some(country.to_string()),
            (Some(city), None) => Some(city.to_string()),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written by mmdb-writer (tests/fixtures/make_places_mmdb.py).
    fn fixture() -> Places {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/places-test.mmdb"
        );
        Places::open(Path::new(path)).unwrap()
    }

    #[test]
    fn addresses_are_placed_by_city_and_country_or_country_alone() {
        let places = fixture();
        assert_eq!(
            places.of("198.51.100.7").as_deref(),
            Some("Berlin, Germany")
        );
        assert_eq!(places.of("203.0.113.9").as_deref(), Some("Japan"));
        assert_eq!(places.of("192.0.2.1"), None, "not in the database");
        assert_eq!(places.of("::1"), None);
        assert_eq!(places.of("not an address"), None);
        assert_eq!(Places::default().of("198.51.100.7"), None, "no database");
    }

    #[test]
    fn a_file_that_is_no_places_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("GeoLite2-City.mmdb");
        std::fs::write(&path, "not a database").unwrap();
        assert!(Places::open(&path).is_err());
        assert!(Places::open(&dir.path().join("missing.mmdb")).is_err());
    }
}
