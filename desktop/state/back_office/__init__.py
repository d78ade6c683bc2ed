"""The administrators' back office, without Qt: filters and forms checked in French, the rows of
each table as shown, the home page's lines, the CSV file written."""
