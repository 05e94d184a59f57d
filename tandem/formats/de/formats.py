# German as people write it in letters and e-mails: "2. Dezember 2026", "17:00 Uhr", "4,5".
# Django's own German formats fill in every name not set here (input formats included).
DATE_FORMAT = "j. F Y"
TIME_FORMAT = r"H:i \U\h\r"
DATETIME_FORMAT = r"j. F Y, H:i \U\h\r"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = r"d.m.Y, H:i \U\h\r"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
