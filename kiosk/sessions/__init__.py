"""What supervisors and technicians do at the kiosk, without Qt: sessions that views call.

`SupervisorSession` reads the passage log, a code's trail and exports it, keeps the kiosk's
settings and audits every read; `TechnicianSession` tests devices, saves the configuration,
enrols the kiosk and edits the local staff; `StaffAccess` gives the PIN gate its roster, its
lockout state and the audit log. Blocking calls are plain functions: the views run them off
the GUI thread.
"""
