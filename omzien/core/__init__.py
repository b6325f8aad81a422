"""The ground floor: settings, translations and logging, which every other package may import."""
