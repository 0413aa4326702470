//! The conversions every validated text value offers, written once.

/// Implements `Display`, `FromStr`, `TryFrom<String>`, `TryFrom<&str>`, `AsRef<str>` and
/// `From<T> for String` for a type with `fn new(&str) -> Result<Self, $err>` and
/// `fn as_str(&self) -> &str`. Parsing always goes through `new`, so every conversion checks.
macro_rules! text_value_conversions {
    ($ty:ident, $err:ty) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                Self::new(s)
            }
        }

        /// Also the conversion serde reads the value through: a refusal is noted for a
        /// running file load, which reports its code.
        impl TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, $err> {
                let value = Self::new(&s);
                #[cfg(feature = "serde")]
                if let Err(error) = &value {
                    $crate::refusal::note(error);
                }
                value
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $err;
            fn try_from(s: &str) -> Result<Self, $err> {
                Self::new(s)
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.as_str().to_owned()
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}

pub(crate) use text_value_conversions;
