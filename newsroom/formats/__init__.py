"""The project's own date formats (`FORMAT_MODULE_PATH`), one module per language: they win over
Django's locale formats, which `settings.DATETIME_FORMAT` never would with localisation on."""
