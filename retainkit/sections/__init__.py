"""Report sections: each notebook section is one call that returns what it shows.

A section function takes the data (a :class:`retainkit.datasets.Dataset` or what an analysis
returned) and returns a :class:`retainkit.display.Parts` of stories, tables and figures in
the order the report shows them. Analysis modules return data only; the words, tables and
figures a manager reads are assembled here, so that the notebooks are story plus calls.

Modules
-------
data
    The data every notebook opens with: what was read, what was dropped, the columns'
    origin, activity per month and the data's key figures.
"""

from retainkit.sections.data import activity_figure, data_section

__all__ = ["activity_figure", "data_section"]
