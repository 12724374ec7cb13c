"""The word lists the guardrail (bot/guardrail.py) decides names by. Data only.

Lower case throughout; the guardrail compares words lower-cased.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.lower().split())


# Words that introduce a person's name: "Mrs Jones", "dr patel", "patient John Smith".
TITLES = _words("mr mrs ms miss mx dr prof sir dame patient pt")

# After these titles a lower-case word is a name only if it is a common given name (below):
# "ms" is also multiple sclerosis, "miss" a verb, "patient" an adjective ("patient safety").
TITLES_NEEDING_A_GIVEN_NAME = _words("ms miss sir dame patient pt")

# Titles that are part of what is removed ("Mrs Jones"); after "patient" only the name goes.
TITLES_KEPT = _words("patient pt")

# Capitalised words that are never part of a name: calendar words, sentence openers, places
# and teams of work, job titles and common capitalised service names.
NOT_NAMES = _words(
    """
    January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs
    Fri Sat Sun Today Yesterday Tomorrow Morning Afternoon Evening Night Week Weekend Month
    Year Last Next This That These Those The An And But Or So If When While After Before
    Since Until On In At By For From To Of With Without About Over Under Into As Then Also
    Just Only We Our Us You Your He His Him She Her It Its They Them Their My Me Who What Why
    How Where Happy New Christmas Easter Bank Holiday Dear Hi Hello Thanks Thank Please Good
    Best Kind Trust Trusts Ward Wards Hospital Hospitals Teaching Foundation Health
    Healthcare Care Clinic Centre Center Unit Team Service Services Board Council Practice
    Surgery University Royal General Infirmary Department Network System Integrated Primary
    Mental Community Emergency Acute Medical Medicine Nursing Staff Group England Scotland
    Wales Ireland Rounds Round Safety Experience Flow Feedback Liaison Advice Transport
    Records Record Participation Voice Story Stories Panel Forum Partners Partner Information
    Leaflet Journey Pathway Pathways Portal Access Manager Managers Director Directors Nurse
    Nurses Sister Matron Consultant Consultants Registrar Doctor Doctors Chief Executive
    Officer Lead Leads Head Senior Junior Charge Practitioner Associate Deputy Assistant
    Clinical Lounge Handover Huddle Meeting Meetings Policy Plan Review Committee Report
    National Regional Local Quality Improvement Leadership Academy Programme Project Day
    Discharge Admissions Admission Bed Beds Bay Theatre Theatres Outpatients Inpatients
    Patient Patients Covid Winter Summer Spring Autumn Bereavement Chaplaincy Estates
    Teams Word Excel Office Forms Outlook Microsoft Slack Zoom
    """
)

# Words that end a name: function words, common verbs, and words about identifiers.
STOPWORDS = _words(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves yes ok okay thanks thank please sorry
    said says told asked felt feel feels came come comes went go goes got get gets saw seen
    see sees was waited waits waiting looked looks seemed seems needed needs wanted wants
    thought thinks knew knows made makes took takes gave gives called calls rang phoned
    arrived left stayed died lives lived lives being became
    dob nhs id no number gp ed ae icu itu hdu mrn dnr dnacpr postcode address born aged
    symptoms symptom patients
    """
)

# Words that put a capitalised full name next to them in a clinical setting.
CLINICAL = _words(
    """
    bed beds bay bays cubicle ward wards patient patients pt admitted admission admissions
    discharged discharge transferred transfer dob nhs mrn hospital born aged yo resus icu itu
    hdu theatre theatres clinic gp referral referred relatives relative kin daughter son wife
    husband died deceased diagnosed diagnosis dementia sepsis stroke fall fell scan bloods
    obs frail elderly resident residents seen
    """
)

# Common given names in the UK, for a lower-case name after "patient", "ms" or "miss". A
# capitalised word after any title is taken as a name without this list.
GIVEN_NAMES = _words(
    """
    aaliyah abdul abigail adam adrian ahmed aisha alan albert alex alexander alfie alice
    alison amelia amir amy andrew angela ann anna anne anthony arthur ava barbara barry ben
    benjamin beryl betty brenda brian carl carol caroline catherine charles charlie
    charlotte chloe chris christine christopher claire colin daniel darren david deborah
    denise dennis derek diane donald doris dorothy edith edward eileen elizabeth ella ellie
    emily emma eric evelyn fatima florence frances freddie freya gary george georgia
    gillian gordon grace graham hannah harry harvey hassan helen henry hussain ian irene
    isabella isla jack jacob james jane janet janice jason jean jennifer jessica joan joanne
    john jonathan joseph joshua joyce julie karen kathleen keith kenneth kevin khadija laura
    lauren leo lesley lily linda lisa liam louise lucy luke lynne maisie margaret maria marie
    mark martin mary matthew maureen megan michael michelle mohammed mohammad mohamed muhammad
    nancy naomi nathan neil nicholas nicola noah norman oliver olivia oscar patricia paul
    pauline peter philip priya rachel raymond rebecca richard rita robert roger ronald
    ruby ryan samantha samuel sandra sarah sharon sheila shirley simon sophia sophie stanley
    stephen steven stuart susan teresa thomas tracey valerie victoria vincent wendy william
    yusuf zara zoe
    """
)
