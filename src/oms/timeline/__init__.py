"""The clinic's own timeline (DESIGN §11): what falls due with the passing of time — appointment
reminders, late glasses orders — found by querying the database and worked by a loop that any
number of processes may run at once."""
