"""Who may do what with pools, challenges and applications (helper H1 fills this)."""
