"""A small three-patient series shared by the swimmer and batch tests."""

SERIES = """patient,kind,name,start,end,value
P10,relapse,ON,2010-01-01,,
P10,therapy,Azathioprine,2010-02-01,2010-12-31,
P10,therapy,Tocilizumab,2011-01-01,ongoing,
P10,edss,,2012-01-01,,3.0
P2,relapse,TM,2011-01-01,,
P2,therapy,Tocilizumab,2011-07-01,ongoing,
P2,therapy,Azathioprine,2011-09-01,ongoing,
P2,relapse,TM,2011-08-01,,
P2,edss,,2011-12-31,,4.5
P3,relapse,TM,2011-01-01,,
P3,therapy,Rituximab,2011-03-01,,
P3,edss,,2011-06-30,,2.0
"""

