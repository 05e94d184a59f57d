// Tandem works without JavaScript; this file only adds small conveniences.
