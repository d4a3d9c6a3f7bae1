"""The candidate portal: the guide's screens, server-rendered, over the services' HTTP APIs."""
