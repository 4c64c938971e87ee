"""TechMarket (科技大市场): a city's technology market and technology-transfer platform."""
