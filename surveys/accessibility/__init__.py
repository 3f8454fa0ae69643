"""The accessibility statement (tillgänglighetsredogörelse) and barrier reports."""
