"""Who may do what on the panel, the award, milestones and acceptance (helper H2 fills this)."""
