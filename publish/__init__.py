"""Publishing, the floor above catalog/ and analysis/: Datasette metadata and the serve command line
(`serving`), the Datasette plugin and its templates (`plugin`), CSV/datapackage exports (`export`),
citable releases (`release`) and BibTeX (`bibtex`). It reads a built catalog; nothing below imports it."""
