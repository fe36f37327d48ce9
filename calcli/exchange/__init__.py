"""Moving schedules in and out of calcli: .ics, CSV, JSON and the bulk-upload layouts of other tools."""
