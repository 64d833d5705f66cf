# A moment as the admin shows it everywhere (its lists, forms, dashboard and messages), in the
# editor's time zone: "26 Nov 2026, 21:29".
DATETIME_FORMAT = "j M Y, H:i"
