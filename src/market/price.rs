//! What a session costs, per hour: nothing, time credits, or money.

use serde::{Deserialize, Serialize};

use crate::wire::FieldError;

/// Amounts are kept in hundredths so `1.5` credits or `25.50 EUR` are exact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Price {
    Free,
    /// Time credits per hour (a timebank: one hour taught earns one credit).
    Credits {
        centi_per_hour: u32,
    },
    /// Money per hour in an ISO 4217 currency.
    Money {
        centi_per_hour: u64,
        currency: String,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a price: use `free`, `1.5 credits` or `25 EUR`")]
pub struct PriceParseError(pub String);

const MAX_CENTI: u64 = 100_000_000; // 1,000,000.00 per hour is plenty.

impl Price {
    pub fn validate(&self) -> Result<(), FieldError> {
        match self {
            Price::Free => Ok(()),
            Price::Credits { centi_per_hour } if u64::from(*centi_per_hour) <= MAX_CENTI => Ok(()),
            Price::Money { centi_per_hour, currency } if *centi_per_hour <= MAX_CENTI && is_currency(currency) => {
                Ok(())
            }
            _ => Err(FieldError::new("price", "amount too large or currency not a 3-letter code")),
        }
    }

    pub fn is_free(&self) -> bool {
        matches!(self, Price::Free)
    }
}

impl std::str::FromStr for Price {
    type Err = PriceParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || PriceParseError(text.to_string());
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("free") {
            return Ok(Price::Free);
        }
        let (amount, unit) = trimmed.split_once(char::is_whitespace).ok_or_else(bad)?;
        let centi = parse_centi(amount).ok_or_else(bad)?;
        let unit = unit.trim().trim_end_matches("/h");
        let price = if ["credit", "credits"].contains(&unit.to_ascii_lowercase().as_str()) {
            Price::Credits { centi_per_hour: u32::try_from(centi).map_err(|_| bad())? }
        } else {
            Price::Money { centi_per_hour: centi, currency: unit.to_ascii_uppercase() }
        };
        price.validate().map_err(|_| bad())?;
        Ok(price)
    }
}

impl std::fmt::Display for Price {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Price::Free => f.write_str("free"),
            Price::Credits { centi_per_hour: 100 } => f.write_str("1 credit/h"),
            Price::Credits { centi_per_hour } => write!(f, "{} credits/h", show_centi(u64::from(*centi_per_hour))),
            Price::Money { centi_per_hour, currency } => write!(f, "{} {currency}/h", show_centi(*centi_per_hour)),
        }
    }
}

fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())
}

fn parse_centi(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac).filter(|c| *c <= MAX_CENTI)
}

fn show_centi(centi: u64) -> String {
    if centi.is_multiple_of(100) { format!("{}", centi / 100) } else { format!("{}.{:02}", centi / 100, centi % 100) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_shows() {
        assert_eq!("free".parse::<Price>().unwrap(), Price::Free);
        let credits: Price = "1.5 credits".parse().unwrap();
        assert_eq!(credits, Price::Credits { centi_per_hour: 150 });
        assert_eq!(credits.to_string(), "1.50 credits/h");
        assert_eq!("1 credit".parse::<Price>().unwrap().to_string(), "1 credit/h");
        let money: Price = "25 eur".parse().unwrap();
        assert_eq!(money.to_string(), "25 EUR/h");
        for bad in ["", "12", "1.234 credits", "-3 EUR", "3 EURO", "99999999999 EUR", "1e3 EUR"] {
            assert!(bad.parse::<Price>().is_err(), "{bad}");
        }
    }
}
